defmodule Hello.MixProject do
  use Mix.Project

  def project do
    [app: :hello, version: "0.1.0", elixir: "~> 1.17", deps: deps()]
  end

  def application do
    [mod: {Hello.Application, []}, extra_applications: [:logger]]
  end

  defp deps do
    [{:plug_cowboy, "~> 2.7"}]
  end
end
