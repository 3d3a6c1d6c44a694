defmodule Hello.Router do
  use Plug.Router
  plug :match
  plug :dispatch
  get "/" do
    send_resp(conn, 200, "hello from elixir\n")
  end
end
