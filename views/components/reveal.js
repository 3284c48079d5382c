// reveal.js: scrolls the view that follows it into sight, once, when the user opened that view with a
// button and it starts too low on the screen to be seen (a phone, a short laptop screen).

export default function (component) {
  const { data, parentElement } = component;
  let marker = parentElement.querySelector(".reveal-marker");
  if (!marker) {
    marker = document.createElement("div");
    marker.className = "reveal-marker";
    parentElement.appendChild(marker);
  }
  if (!data || !data.reveal || marker.dataset.revealed === data.key) return;
  marker.dataset.revealed = data.key;
  requestAnimationFrame(() => {
    if (marker.getBoundingClientRect().top > window.innerHeight - data.height) {
      marker.scrollIntoView({ block: "start" });
    }
  });
}
