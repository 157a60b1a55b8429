// A stand-in for VRS's LGWAN API in a worker thread (its own event loop, so it keeps answering
// while the test's loop is blocked): a real HTTPS server with mutual TLS that answers every lookup
// `delayMs` after the request arrived, and tells the parent thread when a request arrived.
import https from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';

const { tls } = workerData;
let delayMs = workerData.delayMs;
const server = https.createServer({ ...tls, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    parentPort.postMessage({ event: 'received', path: req.url });
    setTimeout(() => {
      const body = JSON.stringify({ municipalities: [] });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }, delayMs);
  });
});
parentPort.on('message', (m) => {
  if (m.delayMs !== undefined) delayMs = m.delayMs;
  if (m.close) {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ event: 'listening', port: server.address().port }));
