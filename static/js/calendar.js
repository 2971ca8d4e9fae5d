/* The calendar's time grid (templates/scheduling/calendar.html): click an empty
   time to book it, drag a visit to move it (to another time, day or therapist),
   drag its lower edge to change its length, or do the same with Alt + arrows.
   Every change posts to the visit's move page, the one booking service: on a
   refusal nothing changed, the visit goes back and the reason is shown where it
   was dropped. Positions are set through the CSSOM (allowed by the CSP), never
   by style attributes. No library: htmx is not needed here. */
(function () {
  "use strict";

  var STEP = 15; // minutes moved by one key press
  var grid = document.getElementById("calendar-grid");
  if (!grid) return;
  var status = document.getElementById("cal-status");
  var drag = null;
  var suppressClick = false;

  function rowMinutes() { return Number(grid.dataset.rowMinutes); }
  function firstMinute() { return Number(grid.dataset.firstMinute); }
  function rowsOf(body) {
    var match = /(?:^|\s)rows-(\d+)/.exec(body.className);
    return match ? Number(match[1]) : 1;
  }
  function rowPx(body) { return body.getBoundingClientRect().height / rowsOf(body); }
  function minutesOf(text) { var p = text.split(":"); return Number(p[0]) * 60 + Number(p[1]); }
  function hhmm(minutes) {
    var h = Math.floor(minutes / 60), m = minutes % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }
  function columns() { return Array.prototype.slice.call(grid.querySelectorAll(".cal-col .cal-body")); }

  function say(text, isError) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("is-error", !!isError);
  }

  // --- one change, through the visit's move page -----------------------------------
  function place(visit) {
    return {
      body: visit.parentElement,
      start: minutesOf(visit.dataset.start),
      length: minutesOf(visit.dataset.end) - minutesOf(visit.dataset.start)
    };
  }

  function send(visit, target, from) {
    var form = new FormData();
    form.append("day", target.body.dataset.day);
    form.append("at", hhmm(target.start));
    form.append("duration_minutes", String(target.length));
    form.append("therapist", target.body.dataset.therapist);
    visit.classList.add("is-saving");
    return fetch(visit.dataset.moveUrl, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": document.body.dataset.csrf || "", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (answer.ok) {
        // said once the grid shows it: the line and the grid never disagree
        return refresh(visit.dataset.id).then(function () { say(answer.data.message, false); });
      }
      restore(visit, from);
      refuse(target, answer.data.message, answer.data.suggestions, visit, from);
    }).catch(function () {
      restore(visit, from);
      refuse(target, "Not moved: the clinic's server could not be reached. Nothing was changed.");
    });
  }

  function restore(visit, from) {
    visit.classList.remove("is-saving", "is-dragging");
    visit.style.top = "";
    visit.style.height = "";
    if (visit.parentElement !== from.body) from.body.appendChild(visit);
    visit.querySelector(".cal-time").textContent = hhmm(from.start) + "–" + hhmm(from.start + from.length);
  }

  // The reason, in place: a note at the spot the visit was dropped, and the
  // same words in the page's status line for screen readers.
  function refuse(target, message, suggestions, visit, from) {
    grid.querySelectorAll(".cal-refusal").forEach(function (old) { old.remove(); });
    var note = document.createElement("div");
    note.className = "cal-refusal";
    note.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = message;
    text.className = "cal-refusal-text";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn btn-quiet";
    close.textContent = "Dismiss";
    close.addEventListener("click", function () { note.remove(); });
    note.appendChild(text);
    // a clash's free times that day: one click moves the visit there, by the same form
    (suggestions || []).forEach(function (free) {
      var go = document.createElement("button");
      go.type = "button";
      go.className = "btn btn-secondary cal-suggestion";
      go.textContent = "Move to " + free.at;
      go.addEventListener("click", function () {
        note.remove();
        var body = grid.querySelector('.cal-body[data-therapist="' + free.therapist + '"][data-day="' + free.day + '"]') || target.body;
        send(visit, { body: body, start: minutesOf(free.at), length: Number(free.duration_minutes) }, from);
      });
      note.appendChild(go);
    });
    note.appendChild(close);
    note.style.top = ((target.start - firstMinute()) / rowMinutes()) * rowPx(target.body) + "px";
    target.body.appendChild(note);
    say(message, true);
  }

  // The grid is drawn again by the server (the new truth), keeping the focus.
  function refresh(focusId) {
    return fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("calendar-grid");
        if (!fresh) { window.location.reload(); return; }
        var hadFocus = document.activeElement && grid.contains(document.activeElement);
        grid.replaceChildren.apply(grid, Array.prototype.slice.call(fresh.childNodes));
        var again = focusId && grid.querySelector('.cal-visit[data-id="' + focusId + '"]');
        if (again && hadFocus) again.focus();
        grid.dataset.firstMinute = fresh.dataset.firstMinute;
        grid.dispatchEvent(new CustomEvent("calendar:drawn"));
      });
  }

  // --- dragging ----------------------------------------------------------------------
  // A link is natively draggable: the browser's own drag would cancel ours.
  grid.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".cal-visit")) event.preventDefault();
  });
  grid.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) return;
    var visit = event.target.closest(".cal-visit[data-move-url]");
    if (!visit || visit.classList.contains("is-saving")) return;
    drag = {
      visit: visit,
      resize: !!event.target.closest(".cal-resize"),
      x: event.clientX,
      y: event.clientY,
      moved: false,
      from: place(visit),
      target: null
    };
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(event.clientX - drag.x) + Math.abs(dy) < 6) return;
    event.preventDefault();
    var visit = drag.visit, from = drag.from;
    if (!drag.moved) { drag.moved = true; visit.classList.add("is-dragging"); }
    var body = from.body;
    if (!drag.resize) {
      visit.style.pointerEvents = "none";
      var under = document.elementFromPoint(event.clientX, event.clientY);
      visit.style.pointerEvents = "";
      body = (under && under.closest(".cal-col .cal-body")) || visit.parentElement;
      if (body.hasAttribute("data-closed")) body = visit.parentElement;
    }
    var px = rowPx(body), step = rowMinutes();
    var shift = Math.round(dy / px) * step;
    var target = { body: body, start: from.start, length: from.length };
    if (drag.resize) {
      target.length = Math.max(step, from.length + shift);
      visit.style.height = (target.length / step) * px + "px";
    } else {
      target.start = Math.min(Math.max(from.start + shift, 0), 24 * 60 - from.length);
      if (visit.parentElement !== body) body.appendChild(visit);
      visit.style.top = ((target.start - firstMinute()) / step) * px + "px";
    }
    visit.querySelector(".cal-time").textContent = hhmm(target.start) + "–" + hhmm(target.start + target.length);
    drag.target = target;
  });

  function endDrag() {
    var done = drag;
    drag = null;
    if (!done || !done.moved) return;
    suppressClick = true;
    var target = done.target, from = done.from;
    if (!target || (target.body === from.body && target.start === from.start && target.length === from.length)) {
      restore(done.visit, from);
      return;
    }
    send(done.visit, target, from);
  }
  document.addEventListener("pointerup", endDrag);
  document.addEventListener("pointercancel", function () {
    if (drag && drag.moved) restore(drag.visit, drag.from);
    drag = null;
  });

  // --- clicks: a visit opens its page; an empty time books it ------------------------
  grid.addEventListener("click", function (event) {
    if (suppressClick) {
      suppressClick = false;
      event.preventDefault();
      return;
    }
    var url = grid.dataset.bookUrl;
    if (!url || event.target.closest(".cal-visit, .cal-refusal, a, button")) return;
    var body = event.target.closest(".cal-col .cal-body");
    if (!body || body.hasAttribute("data-closed")) return;
    var rows = Math.floor((event.clientY - body.getBoundingClientRect().top) / rowPx(body));
    var minute = firstMinute() + rows * rowMinutes();
    minute -= minute % STEP;
    window.location.href = url + "?therapist=" + encodeURIComponent(body.dataset.therapist) +
      "&day=" + body.dataset.day + "&at=" + hhmm(minute);
  }, true);

  // --- keys: Alt+arrows on a focused visit --------------------------------------------
  grid.addEventListener("keydown", function (event) {
    if (!event.altKey) return;
    var visit = event.target.closest && event.target.closest(".cal-visit[data-move-url]");
    if (!visit || visit.classList.contains("is-saving")) return;
    var from = place(visit);
    var target = { body: from.body, start: from.start, length: from.length };
    var all = columns(), at = all.indexOf(from.body);
    if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      var sign = event.key === "ArrowUp" ? -1 : 1;
      if (event.shiftKey) target.length = Math.max(STEP, from.length + sign * STEP);
      else target.start = from.start + sign * STEP;
    } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      var next = all[at + (event.key === "ArrowLeft" ? -1 : 1)];
      if (!next) return;
      target.body = next;
    } else {
      return;
    }
    event.preventDefault();
    send(visit, target, from);
  });

  // The grid shows the bookable cursor only when booking is possible.
  function markBookable() {
    if (!grid.dataset.bookUrl) return;
    columns().forEach(function (body) {
      if (!body.hasAttribute("data-closed")) body.setAttribute("data-book-ready", "");
    });
  }
  markBookable();
  grid.addEventListener("calendar:drawn", markBookable);
})();
