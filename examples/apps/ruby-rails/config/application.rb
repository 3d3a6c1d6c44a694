require "rails"
require "action_controller/railtie"

module Hello
  class Application < Rails::Application
    config.load_defaults 7.2
    config.eager_load = true
  end
end
