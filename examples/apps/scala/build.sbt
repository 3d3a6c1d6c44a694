name := "hello"
scalaVersion := "3.7.3"
enablePlugins(JavaAppPackaging)
