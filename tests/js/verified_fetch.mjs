// An independent trustless-gateway client for the tests: npm @helia/verified-fetch (Helia's fetch that verifies
// every block) reads `ipfs://CID` through one gateway and prints, as JSON, the HTTP status, the byte count and the
// sha256 of what it got.
//
//   node --require tools/ipfs-node/polyfill.cjs tests/js/verified_fetch.mjs GATEWAY_URL CID
//
// No delegated routing (offline): the gateway is the only provider; a loopback http gateway must be allowed.
import { createHash } from 'node:crypto'
import { createVerifiedFetch } from '@helia/verified-fetch'

const [gateway, cid] = process.argv.slice(2)
const verifiedFetch = await createVerifiedFetch({ gateways: [gateway], routers: [], allowInsecure: true, allowLocal: true })
try {
  const response = await verifiedFetch(`ipfs://${cid}`, { signal: AbortSignal.timeout(60_000) })
  const body = new Uint8Array(await response.arrayBuffer())
  const sha256 = createHash('sha256').update(body).digest('hex')
  console.log(JSON.stringify({ status: response.status, bytes: body.length, sha256 }))
} finally {
  await verifiedFetch.stop()
}
