// pick_image.js: the filtered grid as a picture you click to pick a pixel. The picture has its alt
// text (what it shows, the pinned pixel's value); a click sends where it landed and the picture's
// drawn size, and Python finds the cell (views/pick_image.py), so the browser does no arithmetic.

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let picture = parentElement.querySelector("img.pick-image");
  if (!picture) {
    picture = element("img", "pick-image", parentElement);
    picture.draggable = false;
  }
  if (picture.getAttribute("src") !== data.src) picture.src = data.src;
  picture.alt = data.alt;
  picture.onclick = (event) => {
    const box = picture.getBoundingClientRect();
    setTriggerValue("click", { x: event.clientX - box.left, y: event.clientY - box.top, width: box.width, height: box.height });
  };
}
