// mediabase console: a click on a transcript line shows its position and makes it the page's link.
(function () {
  function mmss(ms) {
    var s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + two(m) + ":" + two(r) : m + ":" + two(r);
  }
  function select(line, scroll) {
    document.querySelectorAll(".seg.current").forEach(function (el) { el.classList.remove("current"); });
    line.classList.add("current");
    var pos = document.getElementById("position");
    if (pos) { pos.textContent = mmss(Number(line.dataset.start)); }
    var box = line.closest(".transcript");
    if (scroll && box) { box.scrollTop = line.offsetTop - box.offsetTop - box.clientHeight / 3; }
  }
  document.addEventListener("click", function (ev) {
    var line = ev.target.closest(".seg");
    if (!line) { return; }
    select(line, false);
    var url = new URL(window.location.href);
    url.searchParams.set("t", Math.floor(Number(line.dataset.start) / 1000));
    url.hash = line.id;
    history.replaceState(null, "", url);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var current = document.querySelector(".seg.current");
    if (current) { select(current, true); }
  });
})();
