// Ordered multi-file input: files picked (in one or several goes) are listed; the user reorders them with
// drag or the ↑/↓ buttons; the hidden input always holds the files in the listed order, so the form posts
// them in that order and the server merges them so.
(function () {
  function setup(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    const picker = root.querySelector("[data-picker]");
    const input = root.querySelector("[data-files]");
    const list = root.querySelector("[data-list]");
    const template = root.querySelector("[data-item-template]");
    let files = [];
    let dragged = null;

    function sync() {
      const transfer = new DataTransfer();
      files.forEach((file) => transfer.items.add(file));
      input.files = transfer.files;
      list.replaceChildren();
      files.forEach((file, index) => {
        const item = template.content.firstElementChild.cloneNode(true);
        item.querySelector("[data-name]").textContent = file.name;
        item.querySelector("[data-size]").textContent = (file.size / 1024).toFixed(0) + " KB";
        item.dataset.index = index;
        item.querySelector("[data-up]").disabled = index === 0;
        item.querySelector("[data-down]").disabled = index === files.length - 1;
        list.appendChild(item);
      });
    }
    function move(from, to) {
      if (to < 0 || to >= files.length) return;
      const [file] = files.splice(from, 1);
      files.splice(to, 0, file);
      sync();
    }
    picker.addEventListener("change", () => {
      files = files.concat(Array.from(picker.files));
      picker.value = "";
      sync();
    });
    list.addEventListener("click", (event) => {
      const item = event.target.closest("li");
      if (!item) return;
      const index = Number(item.dataset.index);
      if (event.target.closest("[data-up]")) move(index, index - 1);
      if (event.target.closest("[data-down]")) move(index, index + 1);
      if (event.target.closest("[data-remove]")) { files.splice(index, 1); sync(); }
    });
    list.addEventListener("dragstart", (event) => { dragged = Number(event.target.closest("li").dataset.index); });
    list.addEventListener("dragover", (event) => event.preventDefault());
    list.addEventListener("drop", (event) => {
      event.preventDefault();
      const target = event.target.closest("li");
      if (target && dragged !== null) move(dragged, Number(target.dataset.index));
      dragged = null;
    });
  }
  function init() { document.querySelectorAll("[data-material-input]").forEach(setup); }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSwap", init);
  init();
})();
