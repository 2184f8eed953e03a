// The payment form does the arithmetic (issue 13): invoice = own share + vouchers, filled in as the user types
// (until the user types an invoice amount of their own), and the difference from the order's expected amount.
(function () {
  function fen(text) {
    const clean = String(text || "").replace(/[¥,，\s]/g, "");
    if (!/^\d+(\.\d{1,2})?$/.test(clean)) return null;
    const [whole, part = ""] = clean.split(".");
    return Number(whole) * 100 + Number((part + "00").slice(0, 2));
  }
  function yuan(value) {
    const sign = value < 0 ? "-" : "";
    const abs = Math.abs(value);
    return sign + "¥" + Math.floor(abs / 100).toLocaleString("en-US") + "." + String(abs % 100).padStart(2, "0");
  }
  function setup() {
    const own = document.querySelector("[data-payment=own_share_fen]");
    const vouchers = document.querySelector("[data-payment=voucher_fen]");
    const invoice = document.querySelector("[data-payment=invoice_fen]");
    if (!own || !vouchers || !invoice) return;
    const expected = Number(vouchers.dataset.expected);
    const total = document.querySelector("[data-payment-total]");
    const difference = document.querySelector("[data-payment-difference]");
    let typedInvoice = invoice.value !== "" && fen(invoice.value) !== (fen(own.value) || 0) + (fen(vouchers.value) || 0);
    function update() {
      const a = fen(own.value), b = fen(vouchers.value);
      if (a !== null && b !== null) {
        total.textContent = yuan(a + b);
        if (!typedInvoice) invoice.value = ((a + b) / 100).toFixed(2);
      }
      if (b !== null) {
        const gap = expected - b;
        const words = difference.dataset;
        difference.textContent = gap === 0 ? words.equal : yuan(Math.abs(gap)) + " · " + (gap > 0 ? words.lower : words.higher);
        difference.classList.toggle("text-danger", gap < 0);
      }
    }
    invoice.addEventListener("input", () => { typedInvoice = invoice.value !== ""; });
    own.addEventListener("input", update);
    vouchers.addEventListener("input", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", setup);
})();
