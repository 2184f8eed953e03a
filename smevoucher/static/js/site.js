// Behaviour every page shares, kept out of the HTML so the Content-Security-Policy allows no inline script.
document.addEventListener("change", (event) => {
  // The language menu switches at once (a button is shown instead when JavaScript is off).
  if (event.target.id === "language-select") event.target.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
// A table wider than a phone scrolls inside its box (site.css); keyboard users must be able to scroll it too.
document.querySelectorAll("main table").forEach((table) => {
  if (table.scrollWidth > table.clientWidth + 1) table.tabIndex = 0;
});
// A refused form's error summary (GOV.UK pattern) takes the focus, so a screen reader reads it first.
document.querySelector("[data-error-summary]")?.focus();
