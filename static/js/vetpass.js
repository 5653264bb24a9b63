// Small progressive enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen-reader and keyboard users hear the problems first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

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
