(function () {
  // Show the price fields of the chosen pricing (one price or tiers); both stay in the form.
  const form = document.getElementById("product-form");
  function showCategory() {
    const category = form.querySelector("select[name=category]").value;
    form.querySelectorAll("[data-category]").forEach((el) => { el.hidden = el.dataset.category !== category; });
  }
  function sync() {
    const chosen = (form.querySelector("input[name=pricing]:checked") || {}).value || "single";
    form.querySelectorAll("[data-pricing]").forEach((el) => { el.hidden = el.dataset.pricing !== chosen; });
  }
  form.addEventListener("change", (event) => {
    if (event.target.name === "pricing") sync();
    if (event.target.name === "category") showCategory();
  });
  showCategory();
  sync();
})();
