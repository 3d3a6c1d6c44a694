json.extract! @widget, :id, :name, :description, :stock, :created_at, :updated_at
