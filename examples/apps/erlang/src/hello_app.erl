-module(hello_app).
-behaviour(application).
-export([start/2, stop/1, init/2]).

start(_Type, _Args) ->
    Dispatch = cowboy_router:compile([{'_', [{"/", ?MODULE, []}]}]),
    {ok, _} = cowboy:start_clear(http, [{port, 8080}], #{env => #{dispatch => Dispatch}}),
    {ok, self()}.

stop(_State) -> ok.

init(Req, State) ->
    {ok, cowboy_req:reply(200, #{}, <<"hello from erlang\n">>, Req), State}.
