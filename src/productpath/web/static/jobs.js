// Background jobs (/jobs, /jobs/N): while a job is queued or running, ask for its JSON once a
// second and update its status, progress bar and message in place. No framework, no build.
(function () {
  "use strict";
  var ACTIVE = { queued: true, running: true };
  var EVERY_MS = 1000;

  function label(status) {
    return status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, " ");
  }

  function number(value) {
    return value.toLocaleString("en-GB").replace(/,/g, "\u202f");
  }

  function field(box, name) {
    return box.querySelector('[data-job-field="' + name + '"]');
  }

  function show(box, job) {
    box.setAttribute("data-job-status", job.status);
    var status = field(box, "status");
    status.textContent = label(job.status);
    status.className = "badge badge--job-" + job.status;
    field(box, "stage").textContent = job.stage;
    var bar = field(box, "bar");
    if (job.percent === null) {
      bar.removeAttribute("value");
      bar.textContent = "";
    } else {
      bar.max = job.total > 0 ? job.total : 100;
      bar.value = job.total > 0 ? job.done : job.percent;
      bar.textContent = job.percent + "%";
    }
    var count = field(box, "count");
    if (job.total > 0) {
      count.textContent = number(job.done) + " of " + number(job.total) + " (" + job.percent + "%)";
    } else {
      count.textContent = job.done ? number(job.done) : "";
    }
    var worker = field(box, "worker");
    if (worker) {
      worker.textContent = job.worker
        ? "Worker " + job.worker + (job.attempts > 1 ? " \u00b7 attempt " + job.attempts : "")
        : "";
    }
    var message = field(box, "message");
    message.textContent = job.message;
    var failed = job.status === "failed";
    message.classList.toggle("job-progress__message--failed", failed);
    if (failed) {
      message.setAttribute("role", "alert");
    }
    var next = document.querySelector('[data-job-next="' + job.id + '"]');
    if (next && job.status === "done") {
      next.hidden = false;
    }
  }

  function follow(box) {
    var url = box.getAttribute("data-job-url");
    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (job) {
          show(box, job);
          if (ACTIVE[job.status]) {
            window.setTimeout(tick, EVERY_MS);
          }
        })
        .catch(function () {
          // A restart or a dropped connection: try again a little later.
          window.setTimeout(tick, EVERY_MS * 5);
        });
    }
    window.setTimeout(tick, EVERY_MS);
  }

  var boxes = document.querySelectorAll("[data-job-url]");
  for (var i = 0; i < boxes.length; i += 1) {
    if (ACTIVE[boxes[i].getAttribute("data-job-status")]) {
      follow(boxes[i]);
    }
  }
})();
