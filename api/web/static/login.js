// /login: username, password and Remember Me; a second step asks for the authenticator's
// code when the account has two-factor authentication on. The session arrives as the
// HttpOnly cookie: the answer carries no token for a browser.

import { gql } from "/static/api.js";
import { onSubmit, values } from "/static/ui.js";

const LOGIN = `mutation($username: String!, $password: String!, $rememberMe: Boolean) {
  login(username: $username, password: $password, rememberMe: $rememberMe) {
    totpRequired challenge user { isAdmin mustChangePassword } } }`;
const LOGIN_TOTP = `mutation($challenge: String!, $code: String!) {
  loginTotp(challenge: $challenge, code: $code) { user { isAdmin mustChangePassword } } }`;

const form = document.getElementById("login-form");
let challenge = null;

/** Where to go once signed in: back where the login was asked for, or the right home. */
function destination(user) {
  if (user.mustChangePassword) return "/account#password";
  const next = new URLSearchParams(location.search).get("next");
  // Only a path of this server: never another origin ("//host", "/\host").
  if (next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\")) return next;
  return user.isAdmin ? "/admin" : "/account";
}

onSubmit(form, async () => {
  const input = values(form);
  let answer;
  if (challenge) {
    answer = (await gql(LOGIN_TOTP, { challenge, code: input.code.trim() })).loginTotp;
  } else {
    answer = (await gql(LOGIN, { username: input.username, password: input.password, rememberMe: input.rememberMe })).login;
  }
  if (answer.totpRequired) {
    challenge = answer.challenge;
    document.getElementById("code-row").hidden = false;
    document.getElementById("login-code").focus();
    return;
  }
  location.assign(destination(answer.user));
});
