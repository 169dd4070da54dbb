// Promise.withResolvers (ES2024) for Node 20, which js-ipfs 0.66 dependencies call; the daemon crashes without it.
// Loaded before the daemon with NODE_OPTIONS="--require <this file>".
'use strict';

if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve;
      let reject;
      const promise = new this((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
