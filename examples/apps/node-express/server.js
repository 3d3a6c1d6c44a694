const express = require("express");
const app = express();
app.get("/", (req, res) => res.send("hello from express\n"));
app.listen(3000);
