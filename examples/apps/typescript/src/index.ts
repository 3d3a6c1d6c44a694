import { createServer } from "http";

createServer((_req, res) => res.end("hello from typescript\n")).listen(3000);
