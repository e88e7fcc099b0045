// Starts GraphiQL (the pinned build served by Roster) on this page: queries and mutations
// go to /graphql with the page's session cookie, subscriptions to /graphql/ws. A link may
// carry the operation to show: /graphiql?query=...
(function () {
  "use strict";
  var scheme = location.protocol === "https:" ? "wss:" : "ws:";
  var fetcher = GraphiQL.createFetcher({
    url: location.origin + "/graphql",
    subscriptionUrl: scheme + "//" + location.host + "/graphql/ws",
  });
  var props = {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    defaultQuery: "# Log in first (the session cookie then authenticates the page):\n" +
      "# mutation { login(username: \"admin\", password: \"…\") { user { username } } }\n\n" +
      "{ me { username isAdmin } }\n",
  };
  var linked = new URLSearchParams(location.search).get("query");
  if (linked) props.query = linked;
  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(GraphiQL, props));
})();
