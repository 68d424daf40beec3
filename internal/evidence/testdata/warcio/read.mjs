// Test-only: reads a WARC file with npm warcio and prints, for each record,
// its type, id and the SHA-256 (hex) of the block and of the HTTP payload as
// warcio reads them. Used by internal/evidence/warcio_test.go.
import fs from "node:fs";
import crypto from "node:crypto";
import { WARCParser } from "warcio";

const file = process.argv[2];

async function read(parseHttp) {
  const parser = new WARCParser(fs.createReadStream(file), { parseHttp });
  const out = [];
  for await (const record of parser) {
    const data = await record.readFully(false);
    out.push({
      type: record.warcType,
      id: record.warcHeader("WARC-Record-ID"),
      uri: record.warcTargetURI || "",
      sha256: crypto.createHash("sha256").update(data).digest("hex"),
      length: data.length,
      status: record.httpHeaders ? Number(record.httpHeaders.statusCode || 0) : 0,
    });
  }
  return out;
}

const blocks = await read(false);
const payloads = await read(true);
console.log(JSON.stringify({ blocks, payloads }));
