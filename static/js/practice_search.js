// "Use my location" on the practice search: fills the latitude/longitude fields from the
// browser's geolocation. Without JavaScript, the postcode field does the same job.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("use-my-location");
  var lat = document.getElementById("id_latitude");
  var lng = document.getElementById("id_longitude");
  if (!button || !lat || !lng || !navigator.geolocation) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(5);
      lng.value = pos.coords.longitude.toFixed(5);
      button.form.submit();
    });
  });
});
