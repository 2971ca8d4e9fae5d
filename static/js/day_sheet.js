// The day sheet's Print button (the CSP allows no inline handler).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
