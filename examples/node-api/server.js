// A small HTTP API for plinth's Node.js recipe (docs/apps.md), on Debian's nodejs and its
// built-in http module: no npm, no node_modules. SIGTERM (podman stop) closes the server and
// exits 0.
'use strict';
const http = require('node:http');

const port = Number(process.env.PORT || 8080);

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/') {
    const body = JSON.stringify({ name: 'alice', email: 'alice@outlook.com', node: process.version });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body + '\n');
  } else {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"error": "not found"}\n');
  }
  console.log(`${req.method} ${req.url} ${res.statusCode}`);
});

function stop(signal) {
  console.log(`${signal}: stopping`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.listen(port, () => console.log(`listening on port ${port}`));
