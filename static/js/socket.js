// The WebSocket to /ws: JSON text messages both ways, plus binary decision-boundary frames from the server.

export function openSocket({ onOpen, onMessage, onBinary, onClose }) {
  // Relative to the page, so a root path such as /lab/ behind a proxy is kept; http(s): becomes ws(s):.
  const ws = new WebSocket(new URL('ws', document.baseURI).href.replace(/^http/, 'ws'));
  ws.binaryType = 'arraybuffer';
  ws.addEventListener('open', () => onOpen?.());
  ws.addEventListener('message', (event) => {
    if (typeof event.data === 'string') onMessage(JSON.parse(event.data));
    else onBinary(event.data);
  });
  ws.addEventListener('close', (event) => onClose?.(event));
  return {
    send(message) {
      if (ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(message));
      return true;
    },
    close() {
      ws.close();
    },
  };
}
