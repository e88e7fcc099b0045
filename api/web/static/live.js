// The administrators' live feeds (userChanged, sessionActivity) over /graphql/ws, in the
// graphql-transport-ws protocol: the panel refreshes what it shows when something changes
// elsewhere. The socket is authenticated by the session cookie of its upgrade request.

const FEEDS = {
  users: "subscription { userChanged { kind userId } }",
  sessions: "subscription { sessionActivity { kind sessionId userId } }",
};

/**
 * Watches both feeds; `onChange(feed)` runs for each item. `onLost(code)` runs when the
 * server ends a feed with an error (the caller stopped being an administrator, or signed out).
 * Reconnects after a dropped socket, a few times.
 */
export function watch(onChange, onLost) {
  let attempts = 0;
  const connect = () => {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/graphql/ws`, "graphql-transport-ws");
    socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: {} })));
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "connection_ack") {
        attempts = 0;
        for (const [id, query] of Object.entries(FEEDS)) {
          socket.send(JSON.stringify({ id, type: "subscribe", payload: { query } }));
        }
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (message.type === "next" && !message.payload.errors) {
        onChange(message.id);
      } else if (message.type === "error" || (message.type === "next" && message.payload.errors)) {
        const errors = message.type === "error" ? message.payload : message.payload.errors;
        const code = errors && errors[0] && errors[0].extensions ? errors[0].extensions.code : null;
        if (code === "FORBIDDEN" || code === "UNAUTHENTICATED") onLost(code);
      }
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 4401 || event.code === 4403) {
        onLost(event.code === 4401 ? "UNAUTHENTICATED" : "FORBIDDEN");
      } else if (attempts < 5) {
        attempts += 1;
        setTimeout(connect, 2000 * attempts);
      }
    });
  };
  connect();
}
