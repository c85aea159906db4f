// The /docs page: Swagger UI from the vendored bundle, set up here rather than in an inline
// script. No deep links: with them each operation's path is a link inside its summary button
// (axe: nested-interactive), which a screen reader announces as one control.
"use strict";

// A key an earlier version of this page kept (Swagger UI's "authorized" entry) is forgotten.
localStorage.removeItem("authorized");

window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: false,
  showExtensions: true,
  showCommonExtensions: true,
  // A key typed into Authorize lives only as long as the page: Swagger UI would otherwise keep
  // it in clear in local storage, for anyone at that browser later (past signing out, past
  // closing the browser).
  persistAuthorization: false,
  validatorUrl: null, // no validator badge: it would load from validator.swagger.io
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});

// What Swagger UI draws as each operation opens, made reachable and placed (WCAG 2.1.1,
// 1.3.1): a code example that scrolls takes the keyboard's focus, or its hidden part is out of
// reach without a mouse; the title and description above the operations (outside Swagger UI's
// own <main>) are the page's banner.
function finishDrawing() {
  for (const box of document.querySelectorAll(".swagger-ui pre.microlight:not([tabindex])")) {
    box.setAttribute("tabindex", "0");
  }
  // The Authorize dialog: its close button is an icon with no name, and its "Authorize"
  // button is named otherwise ("Apply credentials"), so a speech user saying what they see
  // misses it (WCAG 4.1.2, 2.5.3).
  for (const close of document.querySelectorAll(".swagger-ui .close-modal:not([aria-label])")) {
    close.setAttribute("aria-label", "Close");
  }
  for (const dialog of document.querySelectorAll(".swagger-ui .modal-ux:not([role])")) {
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", "Available authorizations");
  }
  for (const button of document.querySelectorAll(".swagger-ui .auth-btn-wrapper [aria-label]")) {
    if (!button.getAttribute("aria-label").includes(button.textContent.trim())) {
      button.removeAttribute("aria-label");
    }
  }
  // "Try it out": the request body's box and the parameters' fields have no label (a
  // parameter's field has only a title).
  for (const box of document.querySelectorAll(".swagger-ui .body-param textarea:not([aria-label])")) {
    box.setAttribute("aria-label", "Request body");
  }
  for (const row of document.querySelectorAll(".swagger-ui tr[data-param-name]")) {
    const name = `${row.dataset.paramName} (${row.dataset.paramIn || "parameter"})`;
    for (const field of row.querySelectorAll(
      ".parameters-col_description :is(input, select, textarea):not([aria-label])",
    )) {
      field.setAttribute("aria-label", name);
    }
  }
  // Each operation's responses table is a region: named after its operation, so that the
  // list of regions tells them apart.
  for (const table of document.querySelectorAll(".swagger-ui table[role=region]:not([aria-label])")) {
    const operation = table.closest(".opblock");
    const method = operation?.querySelector(".opblock-summary-method")?.textContent ?? "";
    const path = operation?.querySelector(".opblock-summary-path")?.dataset.path ?? "";
    table.setAttribute("aria-label", `Responses of ${method} ${path}`.trim());
  }
  const info = document.querySelector(".swagger-ui .information-container:not([role])");
  if (info) info.setAttribute("role", "banner");
}
new MutationObserver(finishDrawing).observe(document.getElementById("swagger-ui"), {
  childList: true,
  subtree: true,
});
