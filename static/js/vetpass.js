// Small progressive enhancements only: every page works without this file.

// The main menu is open in the HTML; on a phone, fold it behind its "Menu" button (and
// unfold it again when the screen becomes wide, where the button is not shown).
(function () {
  var menu = document.querySelector("[data-nav-menu]");
  if (!menu || !window.matchMedia) { return; }
  var phone = window.matchMedia("(max-width: 40rem)");
  var fit = function () { menu.open = !phone.matches; };
  fit();
  if (phone.addEventListener) { phone.addEventListener("change", fit); }
})();

document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen-reader and keyboard users hear the problems first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  // An error summary link moves the focus to its field (a plain #link only scrolls), and
  // shows the field's label and message above it rather than hiding them under the top edge.
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var box = field.closest(".field") || field;
      box.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  });

  // Narrow the breed list to the chosen species (without JS every breed is listed, prefixed
  // with its species, and the server refuses a breed of another species).
  var species = document.getElementById("id_species");
  var breed = document.getElementById("id_breed");
  if (species && breed) {
    var options = Array.prototype.slice.call(breed.options);
    var narrow = function () {
      options.forEach(function (option) {
        var match = !option.value || !species.value || option.dataset.species === species.value;
        option.hidden = !match;
        option.disabled = !match;
      });
      var selected = breed.options[breed.selectedIndex];
      if (selected && selected.disabled) { breed.value = ""; }
    };
    species.addEventListener("change", narrow);
    narrow();
  }
});
