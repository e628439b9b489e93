/**
 * `npm run ws -- [URL]`: a WebSocket client for the terminal. Each line you type is sent as a
 * message; each message received is printed as one line of JSON prefixed with `<`. URL defaults
 * to ws://127.0.0.1:$PORT/ws (PORT 8000); with --auth, append `?token=…`.
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const url = process.argv[2] ?? `ws://127.0.0.1:${process.env.PORT ?? 8000}/ws`;
if (url === '--help' || url === '-h') {
  console.log(
    'npm run ws -- [ws://host:port/ws[?token=JWT]]   then type JSON messages, one a line',
  );
  process.exit(0);
}
const socket = new WebSocket(url);
socket.on('open', () => console.error(`connected to ${url}; type a message and press Enter`));
socket.on('message', (data) => console.log(`< ${data.toString()}`));
socket.on('close', (code, reason) => {
  console.error(`closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
  process.exit(0);
});
socket.on('error', (err) => {
  console.error(`WebSocket error: ${err.message}`);
  process.exit(1);
});
// Lines typed (or piped) before the connection is open are sent once it is.
const queued: string[] = [];
socket.on('open', () => queued.splice(0).forEach((line) => socket.send(line)));
const lines = createInterface({ input: process.stdin });
lines.on('line', (raw) => {
  const line = raw.trim();
  if (!line) return;
  if (socket.readyState === WebSocket.OPEN) socket.send(line);
  else queued.push(line);
});
// End of input (Ctrl-D, or a pipe that ran dry) closes the socket once the answers are in.
lines.on('close', () => setTimeout(() => socket.close(), 1_000));
