// Every page: a form sent back with errors puts its error summary first and in focus, so
// a screen reader reads it and a keyboard user starts from it (its links lead to the
// fields). Without JavaScript the summary is still the first thing under the heading.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
