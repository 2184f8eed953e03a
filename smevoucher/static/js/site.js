// Behaviour every page shares, kept out of the HTML so the Content-Security-Policy allows no inline script.
document.addEventListener("change", (event) => {
  // The language menu switches at once (a button is shown instead when JavaScript is off).
  if (event.target.id === "language-select") event.target.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
