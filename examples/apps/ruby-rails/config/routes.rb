Rails.application.routes.draw do
  root to: proc { [200, {}, ["hello from rails\n"]] }
  get "up" => "rails/health#show"
end
