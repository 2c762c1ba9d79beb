// The WebSocket to /ws: JSON text messages both ways, plus binary decision-boundary frames from the server.

export function openSocket({ onOpen, onMessage, onBinary, onClose }) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${scheme}//${location.host}/ws`);
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
