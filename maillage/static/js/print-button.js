// Buttons marked `data-print` print the page; hidden without JavaScript (the browser's menu prints too).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
