module WidgetsHelper
end
