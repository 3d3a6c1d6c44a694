defmodule HelloWeb.Router do
  use Phoenix.Router
  get "/", HelloWeb.PageController, :index
end
