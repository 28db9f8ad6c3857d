// The export page: follow each unfinished job's progress (a small JSON endpoint, once a
// second) and show its download link or its error when it ends. No framework: a dozen
// lines of fetch are all it takes.
(() => {
  const INTERVAL_MS = 1000;

  function show(row, job) {
    row.dataset.status = job.status;
    const progress = row.querySelector("[data-job-progress]");
    progress.setAttribute("aria-valuenow", String(job.percent));
    const bar = progress.querySelector(".progress-bar");
    bar.style.width = `${job.percent}%`;
    bar.classList.toggle("bg-success", job.status === "done");
    bar.classList.toggle("bg-danger", job.status === "failed");
    row.querySelector("[data-job-label]").textContent = job.status_label;
    row.querySelector("[data-job-count]").textContent = `${job.done}/${job.total}`;
    row.querySelector("[data-job-error]").textContent = job.error;
    const link = row.querySelector("[data-job-download]");
    if (job.download_url) {
      link.href = job.download_url;
      link.querySelector("[data-job-filename]").textContent = ` ${job.filename}`;
      link.classList.remove("d-none");
    }
  }

  function follow(row) {
    const poll = async () => {
      try {
        const response = await fetch(row.dataset.statusUrl, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!response.ok) return; // the job is gone (expired): leave the row as it is
        const job = await response.json();
        show(row, job);
        if (job.status === "done" || job.status === "failed") return;
      } catch {
        // A network blip: try again at the next tick.
      }
      setTimeout(poll, INTERVAL_MS);
    };
    setTimeout(poll, INTERVAL_MS);
  }

  // The server gives each bar's width as data-percent: a style attribute would be blocked by
  // the Content-Security-Policy, a write through the CSSOM is not. Drawn at its width at once,
  // without Bootstrap's transition from zero.
  for (const bar of document.querySelectorAll(".progress-bar[data-percent]")) {
    bar.style.transition = "none";
    bar.style.width = `${bar.dataset.percent}%`;
    bar.getBoundingClientRect(); // lay the width out before the transition is back
    bar.style.transition = "";
  }

  for (const row of document.querySelectorAll("[data-export-job]")) {
    if (row.dataset.status === "queued" || row.dataset.status === "running") follow(row);
  }
})();
