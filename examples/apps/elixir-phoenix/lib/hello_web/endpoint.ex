defmodule HelloWeb.Endpoint do
  use Phoenix.Endpoint, otp_app: :hello_web
  plug HelloWeb.Router
end
