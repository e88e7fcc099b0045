// /register (served only with ALLOW_REGISTRATION=true): creates an ordinary account and
// signs it in. The rules are the API's; its messages are shown beside their fields.

import { gql } from "/static/api.js";
import { onSubmit, values } from "/static/ui.js";

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { user { id } } }`;

const form = document.getElementById("register-form");
onSubmit(form, async () => {
  const input = values(form);
  await gql(REGISTER, {
    input: {
      username: input.username.trim(),
      displayName: input.displayName.trim() || null,
      email: input.email.trim() || null,
      password: input.password,
    },
  });
  location.assign("/account");
});
