(ns hello.core
  (:require [ring.adapter.jetty :as jetty])
  (:gen-class))

(defn handler [_] {:status 200 :body "hello from clojure\n"})

(defn -main [] (jetty/run-jetty handler {:port 3000}))
