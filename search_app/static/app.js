// Progressive enhancement only: every page works without this file.
// "Kopiera länk": copies an item's permanent link (absolute) to the clipboard.
// "/": moves the focus to the page's search box (as on many search sites).
(function () {
  "use strict";

  function announce(text) {
    var status = document.querySelector(".copy-status");
    if (status) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function fallbackCopy(text) {
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.appendChild(field);
    field.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(field);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return fallbackCopy(text);
      });
    }
    return fallbackCopy(text);
  }

  function onClick(event) {
    var button = event.currentTarget;
    var url = new URL(button.getAttribute("data-href"), window.location.href).href;
    copy(url).then(function () {
      button.classList.add("copied");
      button.setAttribute("data-copied", url);
      announce("Länken är kopierad: " + url);
    }, function () {
      announce("Kunde inte kopiera. Länken är: " + url);
    });
  }

  function typing(element) {
    return element && (element.isContentEditable
      || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  function onKey(event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.defaultPrevented || typing(event.target)) return;
    var box = document.querySelector('input[type="search"][aria-keyshortcuts~="/"]');
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  }

  document.addEventListener("keydown", onKey);

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button.copy-link[data-href]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", onClick);
    });
  });
})();
