// The maintained JS UnixFS importer (npm ipfs-unixfs-importer) as an independent oracle for the tests: import a
// file or a folder with a named profile and print, as JSON, the root CID and the CID of every file.
//
//   node tests/js/unixfs_import.mjs PROFILE PATH [--hidden]
//
// PROFILE: `unixfs-v1-2025` (IPIP-499, the importer's own `profile` option) or `cidv1-raw-256k-174` (CIDv1, raw
// leaves, 256 KiB chunks, 174 links, folders never sharded). Hidden entries (a name starting with `.`) are left out
// unless --hidden, as `ipfs add` does. Blocks are counted and dropped.
import { readdirSync, statSync, createReadStream } from 'node:fs'
import { basename, join } from 'node:path'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'

const [profile, root, ...flags] = process.argv.slice(2)
const hidden = flags.includes('--hidden')

const options = {
  'unixfs-v1-2025': { profile: 'unixfs-v1-2025' },
  'cidv1-raw-256k-174': {
    cidVersion: 1,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize: 262144 }),
    layout: balanced({ maxChildrenPerNode: 174 }),
    shardSplitThresholdBytes: Number.MAX_SAFE_INTEGER
  }
}[profile]
if (options === undefined) {
  console.error(`unknown profile ${profile}`)
  process.exit(2)
}

function * entries (path, relative) {
  if (statSync(path).isDirectory()) {
    yield { path: relative }
    for (const name of readdirSync(path).sort()) {
      if (!hidden && name.startsWith('.')) continue
      yield * entries(join(path, name), `${relative}/${name}`)
    }
  } else {
    yield { path: relative, content: createReadStream(path) }
  }
}

let blocks = 0
const blockstore = { put: async (cid) => { blocks++; return cid } }
const top = basename(root)
const files = {}
let rootCid
for await (const entry of importer(entries(root, top), blockstore, options)) {
  const relative = entry.path === top ? '' : entry.path.slice(top.length + 1)
  if (entry.unixfs === undefined || !entry.unixfs.isDirectory()) files[relative || top] = entry.cid.toString()
  if (entry.path === top) rootCid = entry.cid.toString()
}
console.log(JSON.stringify({ root: rootCid, files, blocks }))
