// Voting and delegating from a browser wallet (EIP-1193), gasless: the page's server prepares the EIP-712 ballot or
// delegation (bound to the proposal's content, at the signer's next nonce), the wallet signs it, and the signature
// goes to the DAO's relayer, which checks it and pays the gas. No key ever reaches the page; nothing from the chain
// is inserted as HTML (textContent only).
"use strict";

function say(panel, text, failed) {
  const line = panel.querySelector(".wallet-status");
  line.textContent = text;
  line.className = "wallet-status" + (failed ? " error" : "");
}

async function account(panel) {
  if (!window.ethereum) {
    say(panel, "No browser wallet found: install one, or sign with the CLI (proposal sign-vote).", true);
    return null;
  }
  const [address] = await window.ethereum.request({ method: "eth_requestAccounts" });
  return address;
}

async function prepared(path) {
  const answer = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await answer.json();
  if (!body.ok) throw new Error(body.error);
  return body;
}

async function relay(relayer, path, body) {
  const answer = await fetch(relayer.replace(/\/$/, "") + path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const result = await answer.json();
  if (!result.ok) throw new Error(result.error);
  return result.receipt;
}

async function vote(panel, support) {
  const relayer = panel.dataset.relayer;
  try {
    const voter = await account(panel);
    if (!voter) return;
    const reason = panel.querySelector("textarea[name=reason]").value;
    const query = new URLSearchParams({ proposal: panel.dataset.proposal, voter, support, reason });
    const { vote, typed_data } = await prepared("/api/ballot?" + query);
    say(panel, "Sign the ballot in your wallet (no gas)…");
    const signature = await window.ethereum.request({
      method: "eth_signTypedData_v4",
      params: [voter, JSON.stringify(typed_data)],
    });
    say(panel, "Signed; the relayer is sending it…");
    const receipt = await relay(relayer, "/v1/votes", { ...vote, signature });
    say(panel, `Voted ${support}: transaction ${receipt.tx_hash} in block ${receipt.block}. Reloading…`);
    window.setTimeout(() => window.location.reload(), 800);
  } catch (error) {
    say(panel, "Not voted: " + (error && error.message ? error.message : String(error)), true);
  }
}

async function delegate(panel) {
  const relayer = panel.dataset.relayer;
  try {
    const delegator = await account(panel);
    if (!delegator) return;
    const { delegation, typed_data } = await prepared("/api/delegation?" + new URLSearchParams({ delegator }));
    say(panel, "Sign the delegation in your wallet (no gas)…");
    const signature = await window.ethereum.request({
      method: "eth_signTypedData_v4",
      params: [delegator, JSON.stringify(typed_data)],
    });
    const receipt = await relay(relayer, "/v1/delegations", { ...delegation, signature });
    say(panel, `Your votes are active: transaction ${receipt.tx_hash}. They count on proposals made from now on.`);
  } catch (error) {
    say(panel, "Not delegated: " + (error && error.message ? error.message : String(error)), true);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const panel of document.querySelectorAll(".wallet[data-relayer]")) {
    for (const button of panel.querySelectorAll("button[data-support]")) {
      button.addEventListener("click", () => vote(panel, button.dataset.support));
    }
    const activate = panel.querySelector("button[data-delegate]");
    if (activate) activate.addEventListener("click", () => delegate(panel));
  }
});
