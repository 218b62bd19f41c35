// The dashboard's only script, a file of our own so the Content-Security-Policy needs no inline script.
// The store switch opens the chosen store's home as soon as a store is picked.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-store-switch]");
  if (!form) return;
  const go = (event) => {
    if (event) event.preventDefault();
    window.location.href = form.elements.store.value;
  };
  form.addEventListener("submit", go);
  form.elements.store.addEventListener("change", () => go());
});
