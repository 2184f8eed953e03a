// The stated maximum follows the chosen price option and batch (the same figures as the table).
(function () {
  const data = document.getElementById("voucher-maximum");
  const form = document.getElementById("order-form");
  if (!data || !form) return;
  const maximum = JSON.parse(data.textContent);
  const out = form.querySelector("[data-maximum-value]");
  function update() {
    const key = form.querySelector("[name=tier]").value + ":" + form.querySelector("[name=batch]").value;
    out.textContent = maximum[key] || "—";
  }
  form.addEventListener("change", update);
  update();
})();
