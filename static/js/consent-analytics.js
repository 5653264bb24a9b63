// Loaded only after the visitor accepted analytics cookies (see consent/templatetags).
// VetPass counts visits on its own server; this file marks the page so that the
// analytics endpoint, when it exists, can be called from here and nowhere else.
document.documentElement.dataset.analytics = "on";
