// Deno's HTTP server: the port comes from PORT (set by the Dockerfile), 8000 by default.
const port = Number(Deno.env.get("PORT") ?? "8000");
Deno.serve({ port, hostname: "0.0.0.0" }, () => new Response("Hello from Deno\n"));
