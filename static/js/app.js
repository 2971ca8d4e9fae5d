/* The clinic's only script (no inline scripts: the pages run under a CSP
   without 'unsafe-inline'). Everything here is progressive: every page works
   without it, it only saves taps and keeps drafts. */
(function () {
  "use strict";

  // --- one submission per form ---------------------------------------------------
  // A double tap on "Save" must never post twice. The first submit marks the
  // form; later submits are swallowed. Buttons are disabled a tick later so
  // the clicked button's name/value still goes with the first post.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-allow-resubmit")) return;
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return; // htmx owns it
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
        b.disabled = true;
        b.setAttribute("aria-disabled", "true");
      });
    }, 0);
  }, true);

  // A page restored from the back/forward cache gets its buttons back.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("button").forEach(function (b) {
        b.disabled = false;
        b.removeAttribute("aria-disabled");
      });
    });
  });

  // --- drafts kept on the device until the server has them -----------------------
  // A tablet is shared: a draft is stored under its author ("draft:<user>:note:<visit>"),
  // removed at sign-out, at idle sign-out and on any signed-out page, and never
  // restored after twelve hours.
  var DRAFT_PREFIX = "draft:";
  var DRAFT_MAX_AGE_MS = 12 * 60 * 60 * 1000;

  function draftOwner() { return document.body.dataset.draftOwner || ""; }
  function draftKey(name) { return DRAFT_PREFIX + draftOwner() + ":" + name; }

  function storedKeys() {
    try { return Object.keys(localStorage); } catch (e) { return []; }
  }

  function readDraft(key) {
    try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; }
  }

  function isFresh(draft) {
    return !!draft && typeof draft.savedAt === "number" && Date.now() - draft.savedAt < DRAFT_MAX_AGE_MS;
  }

  function forget(key) {
    try { localStorage.removeItem(key); } catch (e) { /* storage disabled */ }
  }

  // owner "" forgets everyone's; keys "note:<visit>" are drafts from before they had an owner
  function forgetDrafts(owner) {
    var prefix = owner ? DRAFT_PREFIX + owner + ":" : DRAFT_PREFIX;
    storedKeys().forEach(function (key) {
      if (key.indexOf(prefix) === 0 || key.indexOf("note:") === 0) forget(key);
    });
  }

  function forgetStaleDrafts() {
    storedKeys().forEach(function (key) {
      if (key.indexOf("note:") === 0) forget(key);
      else if (key.indexOf(DRAFT_PREFIX) === 0 && !isFresh(readDraft(key))) forget(key);
    });
  }

  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.name !== "form_token" &&
        el.type !== "submit" && el.type !== "button" && el.type !== "hidden";
    });
  }

  function saveDraft(form) {
    var data = {};
    draftFields(form).forEach(function (el) {
      var key = el.name;
      if (el.type === "checkbox") {
        data[key] = data[key] || [];
        if (el.checked) data[key].push(el.value);
      } else if (el.type === "radio") {
        if (el.checked) data[key] = el.value;
        else if (!(key in data)) data[key] = null;
      } else {
        data[key] = el.value;
      }
    });
    try {
      localStorage.setItem(draftKey(form.dataset.draftKey), JSON.stringify({ savedAt: Date.now(), data: data }));
      showDraftStatus(form, "Draft kept on this device.");
    } catch (e) { /* storage full or disabled: the form still posts */ }
  }

  function restoreDraft(form) {
    var key = draftKey(form.dataset.draftKey), draft = readDraft(key);
    if (!isFresh(draft)) {
      forget(key);
      return;
    }
    var data = draft.data || {};
    draftFields(form).forEach(function (el) {
      if (!(el.name in data)) return;
      var value = data[el.name];
      if (el.type === "checkbox") el.checked = (value || []).indexOf(el.value) !== -1;
      else if (el.type === "radio") el.checked = value === el.value;
      else if (value !== null && value !== undefined) el.value = value;
    });
    showDraftStatus(form, "Unsaved draft restored from this device.");
  }

  function showDraftStatus(form, text) {
    var status = form.querySelector("[data-draft-status]");
    if (status) status.textContent = text;
  }

  function initDrafts(root) {
    if (!draftOwner()) {
      forgetDrafts("");  // signed out: nobody's draft stays on the device
      return;
    }
    forgetStaleDrafts();
    root.querySelectorAll("[data-clear-draft]").forEach(function (el) {
      forget(draftKey(el.dataset.clearDraft));
    });
    root.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      // server-side errors mean the posted values are on the page already
      if (!form.hasAttribute("data-has-errors")) restoreDraft(form);
      var timer = null;
      var later = function () {
        clearTimeout(timer);
        timer = setTimeout(function () { saveDraft(form); }, 250);
      };
      form.addEventListener("input", later);
      form.addEventListener("change", later);
    });
  }

  // Signing out takes this person's drafts off the device.
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-clear-drafts")) {
      forgetDrafts(draftOwner());
    }
  });

  // --- body map: tap a region half, the side list follows ---------------------------
  var SIDES_OF = { "": [], left: ["left"], right: ["right"], bilateral: ["left", "right"], midline: ["midline"] };

  function valueOf(sides) {
    var l = sides.indexOf("left") !== -1, r = sides.indexOf("right") !== -1;
    if (l && r) return "bilateral";
    if (l) return "left";
    if (r) return "right";
    return "";
  }

  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }

  function paint(map) {
    map.querySelectorAll(".region").forEach(function (shape) {
      var select = map.querySelector('select[data-region="' + shape.dataset.region + '"]');
      var sides = select ? SIDES_OF[select.value] || [] : [];
      var on = sides.indexOf(shape.dataset.side) !== -1 || sides.indexOf("midline") !== -1;
      shape.classList.toggle("on", on);
      if (shape.hasAttribute("aria-pressed")) shape.setAttribute("aria-pressed", on ? "true" : "false");
      if (select) {
        var row = select.closest("li, .area-card");
        if (row) row.classList.toggle("on", select.value !== "");
      }
    });
  }

  function tapRegion(map, shape) {
    var select = map.querySelector('select[data-region="' + shape.dataset.region + '"]');
    if (!select) return;
    var sides = (SIDES_OF[select.value] || []).filter(function (s) { return s !== "midline"; });
    var at = sides.indexOf(shape.dataset.side);
    if (at === -1) sides.push(shape.dataset.side); else sides.splice(at, 1);
    var value = valueOf(sides);
    if (!hasOption(select, value)) {
      // e.g. a plan may only treat the sides the referral targets
      value = hasOption(select, "bilateral") && value !== "" ? "bilateral" : "";
    }
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    var live = map.querySelector("[data-body-map-status]");
    if (live) {
      var label = select.labels && select.labels[0] ? select.labels[0].textContent.trim() : shape.dataset.region;
      var text = select.options[select.selectedIndex].text;
      live.textContent = label + ": " + text;
    }
  }

  function initBodyMaps(root) {
    root.querySelectorAll(".body-map").forEach(function (map) {
      if (map.dataset.ready) return;
      map.dataset.ready = "1";
      map.querySelectorAll(".region").forEach(function (shape) {
        if (!map.querySelector('select[data-region="' + shape.dataset.region + '"]')) {
          // not choosable here (outside the referral's target areas)
          shape.removeAttribute("role");
          shape.removeAttribute("tabindex");
          shape.removeAttribute("aria-pressed");
          shape.removeAttribute("aria-label");
          shape.setAttribute("aria-hidden", "true");
          shape.classList.add("disabled");
        } else if (map.dataset.readonly) {
          shape.removeAttribute("role");
          shape.removeAttribute("tabindex");
          shape.removeAttribute("aria-pressed");
        } else {
          shape.classList.add("allowed");
        }
      });
      if (!map.dataset.readonly) {
        map.addEventListener("click", function (event) {
          var shape = event.target.closest(".region");
          if (shape && shape.classList.contains("allowed")) tapRegion(map, shape);
        });
        map.addEventListener("keydown", function (event) {
          var shape = event.target.closest && event.target.closest(".region");
          if (shape && shape.classList.contains("allowed") && (event.key === "Enter" || event.key === " ")) {
            event.preventDefault();
            tapRegion(map, shape);
          }
        });
        map.addEventListener("change", function () { paint(map); });
      }
      paint(map);
    });
  }

  // --- small helpers -------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-remove-closest]");
    if (remove) {
      event.preventDefault();
      var item = remove.closest(remove.dataset.removeClosest);
      var form = remove.closest("form");
      if (item) item.remove();
      if (form) form.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  // Enter in a search box inside a bigger form searches; it never submits that form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("input[data-no-submit]")) {
      event.preventDefault();
    }
  });

  // After a diagnosis is picked, empty the search box and give it focus back.
  document.addEventListener("htmx:afterSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (source && source.hasAttribute && source.hasAttribute("data-picks-into")) {
      var input = document.getElementById(source.dataset.picksInto);
      if (input) { input.value = ""; input.focus(); }
      var results = document.getElementById(source.dataset.resultsId || "");
      if (results) results.innerHTML = "";
    }
  });

  // --- idle sign-out warning --------------------------------------------------------
  // The session ends after SESSION_IDLE_SECONDS without a request. Two minutes
  // before, say so and offer to stay; at the end, the person's drafts go too.
  var WARN_BEFORE = 120;
  var sessionTimers = [];
  function armSessionWarning() {
    var body = document.body, seconds = parseInt(body.dataset.sessionSeconds || "0", 10);
    var warning = document.getElementById("session-warning");
    if (!seconds || !warning) return;
    sessionTimers.forEach(clearTimeout);
    warning.hidden = true;
    sessionTimers = [
      setTimeout(function () { warning.hidden = false; }, Math.max(seconds - WARN_BEFORE, 0) * 1000),
      setTimeout(function () {
        // the next person at the tablet must not read the unsaved note, stored or on screen
        forgetDrafts(draftOwner());
        document.querySelectorAll("form[data-draft-key]").forEach(function (form) { form.reset(); });
        warning.querySelector("[data-session-text]").textContent =
          "You were signed out for inactivity, and an unsaved note was removed from this tablet. Sign in again.";
        warning.querySelector("[data-session-keepalive]").hidden = true;
      }, seconds * 1000),
    ];
  }
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-session-keepalive]")) return;
    fetch(document.body.dataset.keepaliveUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": document.body.dataset.csrf },
    }).then(function (response) { if (response.ok) armSessionWarning(); });
  });
  document.addEventListener("htmx:afterRequest", armSessionWarning);

  // Attaching a document: a file chosen (or photographed) is sent at once; a file
  // dropped on the form goes into its file input and is sent the same way.
  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-submit-on-choose]");
    if (input && input.files.length) input.form.submit();
  });
  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var zone = event.target.closest && event.target.closest("[data-drop-zone]");
      if (!zone) return;
      event.preventDefault();
      zone.classList.add("dragging");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop-zone]");
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop-zone]");
    if (!zone || !event.dataTransfer.files.length) return;
    event.preventDefault();
    var input = zone.querySelector("input[type=file]:not([capture])");
    input.files = event.dataTransfer.files;
    zone.submit();
  });

  function init(root) {
    initDrafts(root);
    initBodyMaps(root);
    armSessionWarning();
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    // says the script ran: the production test (tests/browser/test_static_files.py) reads it
    document.documentElement.dataset.appJs = "ready";
  });
  document.addEventListener("htmx:load", function (event) { initBodyMaps(event.detail.elt.parentNode || document); });
})();
