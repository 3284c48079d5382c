// connection.js: reruns the app as soon as the page is connected again after losing its server.
//
// When the server restarts, Streamlit's page reconnects on its own but to a new, empty session,
// and nothing runs there until the visitor's next click: the page shows what the old session drew,
// and that first click is taken by a session that has not drawn its widgets yet. This component
// watches Streamlit's connection status (the "Connecting" badge, data-testid stConnectionStatus)
// and, once the badge is gone again, sends one trigger: the new session draws the page from the
// page's link before the visitor touches anything. A network blip that reconnects to the same
// session costs one ordinary rerun.

const STATUS = '[data-testid="stConnectionStatus"]';
const CHECK_MS = 250;

export default function (component) {
  const { parentElement, setTriggerValue } = component;
  if (parentElement.connectionWatch) {
    parentElement.connectionWatch.setTriggerValue = setTriggerValue;
    return undefined;
  }
  const watch = { setTriggerValue, lost: false };
  parentElement.connectionWatch = watch;
  const timer = setInterval(() => {
    const disconnected = document.querySelector(STATUS) !== null;
    if (disconnected) watch.lost = true;
    else if (watch.lost) {
      watch.lost = false;
      watch.setTriggerValue("reconnected", Date.now());
    }
  }, CHECK_MS);
  return () => {
    clearInterval(timer);
    delete parentElement.connectionWatch;
  };
}
