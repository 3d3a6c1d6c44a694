<?php
use Illuminate\Support\Facades\Route;

Route::get("/", fn () => "hello from laravel\n");
