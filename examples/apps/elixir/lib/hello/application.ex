defmodule Hello.Application do
  use Application

  def start(_type, _args) do
    children = [{Plug.Cowboy, scheme: :http, plug: Hello.Router, options: [port: 4000]}]
    Supervisor.start_link(children, strategy: :one_for_one)
  end
end
