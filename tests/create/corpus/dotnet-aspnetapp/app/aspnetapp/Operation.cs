namespace aspnetapp;

internal readonly record struct Operation(int Delay);
